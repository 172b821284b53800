import { maskAddress, maskEmail, maskIdNumber, maskPhone } from '../../subgraphs/shared/src/masking';

describe('masking of personal data', () => {
  it.each([
    ['11010519491231002X', '110105********002X'],
    ['E12345678', '*****5678'],
    ['123456', '******'],
  ])('ID number %s shows as %s', (value, masked) => expect(maskIdNumber(value)).toBe(masked));

  it('masks phones, e-mail addresses and street addresses', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
    expect(maskEmail('zhang.wei@example.cn')).toBe('z***@example.cn');
    expect(maskEmail('nonsense')).toBe('***');
    expect(maskAddress('湖北省武汉市洪山区珞喻路152号')).toBe('湖北省武汉市***');
  });
});
