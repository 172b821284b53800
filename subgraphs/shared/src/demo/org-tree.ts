/**
 * The demo organisation tree: real GB/T 2260 division codes for a few full branches.
 * 湖北省 includes 仙桃市 (429004), a county-level city administered directly by the province,
 * so the tree has a county without a city level, as the real one does.
 */
export type SchoolStage =
  | 'kindergarten'
  | 'primary'
  | 'junior_secondary'
  | 'senior_secondary'
  | 'nine_year'
  | 'complete_secondary'
  | 'vocational';
export type Locale = 'urban' | 'county_town' | 'rural';

export interface DemoDivision {
  code: string;
  name: string;
  parent: string | null;
}

export interface DemoSchool {
  code: string;
  name: string;
  county: string;
  stage: SchoolStage;
  locale: Locale;
  isPublic: boolean;
  /** Relative size: how many teachers the demo data gives it. */
  teachers: number;
}

export const NATIONAL_ROOT: DemoDivision = { code: 'CN', name: '全国', parent: null };

export const DEMO_DIVISIONS: DemoDivision[] = [
  NATIONAL_ROOT,
  { code: '110000', name: '北京市', parent: 'CN' },
  { code: '110100', name: '市辖区', parent: '110000' },
  { code: '110105', name: '朝阳区', parent: '110100' },
  { code: '110108', name: '海淀区', parent: '110100' },
  { code: '110119', name: '延庆区', parent: '110100' },
  { code: '420000', name: '湖北省', parent: 'CN' },
  { code: '420100', name: '武汉市', parent: '420000' },
  { code: '420111', name: '洪山区', parent: '420100' },
  { code: '420115', name: '江夏区', parent: '420100' },
  { code: '420500', name: '宜昌市', parent: '420000' },
  { code: '420528', name: '长阳土家族自治县', parent: '420500' },
  { code: '429004', name: '仙桃市', parent: '420000' },
  { code: '620000', name: '甘肃省', parent: 'CN' },
  { code: '621100', name: '定西市', parent: '620000' },
  { code: '621121', name: '通渭县', parent: '621100' },
];

export const DEMO_SCHOOLS: DemoSchool[] = [
  { code: '1111000101', name: '北京市朝阳区实验小学', county: '110105', stage: 'primary', locale: 'urban', isPublic: true, teachers: 34 },
  { code: '1111000102', name: '北京市第八十中学', county: '110105', stage: 'complete_secondary', locale: 'urban', isPublic: true, teachers: 42 },
  { code: '1111000103', name: '北京市朝阳区望京花园幼儿园', county: '110105', stage: 'kindergarten', locale: 'urban', isPublic: false, teachers: 14 },
  { code: '1111000201', name: '北京市海淀区中关村第一小学', county: '110108', stage: 'primary', locale: 'urban', isPublic: true, teachers: 38 },
  { code: '1111000202', name: '北京市海淀区实验中学', county: '110108', stage: 'junior_secondary', locale: 'urban', isPublic: true, teachers: 30 },
  { code: '1111000301', name: '北京市延庆区永宁学校', county: '110119', stage: 'nine_year', locale: 'rural', isPublic: true, teachers: 18 },
  { code: '1111000302', name: '北京市延庆区第一中学', county: '110119', stage: 'senior_secondary', locale: 'county_town', isPublic: true, teachers: 28 },
  { code: '1142000101', name: '武汉市洪山区广埠屯小学', county: '420111', stage: 'primary', locale: 'urban', isPublic: true, teachers: 26 },
  { code: '1142000102', name: '华中师范大学第一附属中学', county: '420111', stage: 'senior_secondary', locale: 'urban', isPublic: true, teachers: 40 },
  { code: '1142000201', name: '武汉市江夏区第一中学', county: '420115', stage: 'complete_secondary', locale: 'county_town', isPublic: true, teachers: 32 },
  { code: '1142000202', name: '武汉市江夏区山坡中心小学', county: '420115', stage: 'primary', locale: 'rural', isPublic: true, teachers: 12 },
  { code: '1142000301', name: '长阳土家族自治县第一高级中学', county: '420528', stage: 'senior_secondary', locale: 'county_town', isPublic: true, teachers: 30 },
  { code: '1142000302', name: '长阳土家族自治县资丘镇中心学校', county: '420528', stage: 'nine_year', locale: 'rural', isPublic: true, teachers: 14 },
  { code: '1142000401', name: '仙桃市实验小学', county: '429004', stage: 'primary', locale: 'county_town', isPublic: true, teachers: 24 },
  { code: '1142000402', name: '仙桃中学', county: '429004', stage: 'senior_secondary', locale: 'county_town', isPublic: true, teachers: 30 },
  { code: '1142000403', name: '仙桃市职业中等专业学校', county: '429004', stage: 'vocational', locale: 'county_town', isPublic: true, teachers: 16 },
  { code: '1162000101', name: '通渭县第一中学', county: '621121', stage: 'senior_secondary', locale: 'county_town', isPublic: true, teachers: 26 },
  { code: '1162000102', name: '通渭县平襄镇中心小学', county: '621121', stage: 'primary', locale: 'county_town', isPublic: true, teachers: 16 },
  { code: '1162000103', name: '通渭县义岗川镇中心学校', county: '621121', stage: 'nine_year', locale: 'rural', isPublic: true, teachers: 12 },
  { code: '1162000104', name: '通渭县马营镇中心幼儿园', county: '621121', stage: 'kindergarten', locale: 'rural', isPublic: true, teachers: 8 },
];
