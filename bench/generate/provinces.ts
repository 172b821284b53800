/**
 * The 31 provincial-level divisions of GB/T 2260 plus the Xinjiang Production and Construction
 * Corps (660000), with their real numbers of prefecture-level units (cities, prefectures, leagues,
 * the Corps' divisions) and county-level units (2023 figures, rounded), county-level cities
 * administered directly by the province (their codes carry 90 in the middle, e.g. 仙桃 429004), and
 * the province's share of the population (7th census, 2020, millions). The generator scales these
 * counts to the number of teachers asked for; the codes of provinces are the real ones.
 */
export interface ProvinceSpec {
  code: string;
  name: string;
  /** Short form used in generated unit names. */
  short: string;
  cities: number;
  counties: number;
  /** County-level units directly under the province (code pattern XX90NN). */
  direct: number;
  population: number;
  /** Municipalities have one "市辖区" city level. */
  municipality?: boolean;
}

export const PROVINCES: readonly ProvinceSpec[] = [
  { code: '110000', name: '北京市', short: '北京', cities: 1, counties: 16, direct: 0, population: 21.9, municipality: true },
  { code: '120000', name: '天津市', short: '天津', cities: 1, counties: 16, direct: 0, population: 13.9, municipality: true },
  { code: '130000', name: '河北省', short: '河北', cities: 11, counties: 167, direct: 0, population: 74.6 },
  { code: '140000', name: '山西省', short: '山西', cities: 11, counties: 117, direct: 0, population: 34.9 },
  { code: '150000', name: '内蒙古自治区', short: '内蒙古', cities: 12, counties: 103, direct: 0, population: 24.0 },
  { code: '210000', name: '辽宁省', short: '辽宁', cities: 14, counties: 100, direct: 0, population: 42.6 },
  { code: '220000', name: '吉林省', short: '吉林', cities: 9, counties: 60, direct: 0, population: 24.1 },
  { code: '230000', name: '黑龙江省', short: '黑龙江', cities: 13, counties: 121, direct: 0, population: 31.9 },
  { code: '310000', name: '上海市', short: '上海', cities: 1, counties: 16, direct: 0, population: 24.9, municipality: true },
  { code: '320000', name: '江苏省', short: '江苏', cities: 13, counties: 95, direct: 0, population: 84.7 },
  { code: '330000', name: '浙江省', short: '浙江', cities: 11, counties: 90, direct: 0, population: 64.6 },
  { code: '340000', name: '安徽省', short: '安徽', cities: 16, counties: 104, direct: 0, population: 61.0 },
  { code: '350000', name: '福建省', short: '福建', cities: 9, counties: 84, direct: 0, population: 41.5 },
  { code: '360000', name: '江西省', short: '江西', cities: 11, counties: 100, direct: 0, population: 45.2 },
  { code: '370000', name: '山东省', short: '山东', cities: 16, counties: 136, direct: 0, population: 101.5 },
  { code: '410000', name: '河南省', short: '河南', cities: 17, counties: 156, direct: 1, population: 99.4 },
  { code: '420000', name: '湖北省', short: '湖北', cities: 12, counties: 99, direct: 4, population: 57.8 },
  { code: '430000', name: '湖南省', short: '湖南', cities: 14, counties: 122, direct: 0, population: 66.4 },
  { code: '440000', name: '广东省', short: '广东', cities: 21, counties: 122, direct: 0, population: 126.0 },
  { code: '450000', name: '广西壮族自治区', short: '广西', cities: 14, counties: 111, direct: 0, population: 50.1 },
  { code: '460000', name: '海南省', short: '海南', cities: 4, counties: 10, direct: 15, population: 10.1 },
  { code: '500000', name: '重庆市', short: '重庆', cities: 2, counties: 38, direct: 0, population: 32.1, municipality: true },
  { code: '510000', name: '四川省', short: '四川', cities: 21, counties: 183, direct: 0, population: 83.7 },
  { code: '520000', name: '贵州省', short: '贵州', cities: 9, counties: 88, direct: 0, population: 38.6 },
  { code: '530000', name: '云南省', short: '云南', cities: 16, counties: 129, direct: 0, population: 47.2 },
  { code: '540000', name: '西藏自治区', short: '西藏', cities: 7, counties: 74, direct: 0, population: 3.6 },
  { code: '610000', name: '陕西省', short: '陕西', cities: 10, counties: 107, direct: 0, population: 39.5 },
  { code: '620000', name: '甘肃省', short: '甘肃', cities: 14, counties: 86, direct: 0, population: 25.0 },
  { code: '630000', name: '青海省', short: '青海', cities: 8, counties: 44, direct: 0, population: 5.9 },
  { code: '640000', name: '宁夏回族自治区', short: '宁夏', cities: 5, counties: 22, direct: 0, population: 7.2 },
  { code: '650000', name: '新疆维吾尔自治区', short: '新疆', cities: 14, counties: 95, direct: 11, population: 22.6 },
  // The Corps: 14 divisions [师] at prefecture level, regiments [团场] at county level.
  { code: '660000', name: '新疆生产建设兵团', short: '兵团', cities: 14, counties: 176, direct: 0, population: 3.3 },
];
