/**
 * The real code sets behind the archive's basic information (DOMAIN.md §3). Stored values are the
 * official codes, so exports to the national system need no translation; labels are the official
 * Chinese names shown to users and used by the import template.
 */
export interface CodeSet {
  /** Name of the standard, for messages. */
  standard: string;
  values: ReadonlyMap<string, string>;
}

const codeSet = (standard: string, entries: [string, string][]): CodeSet => ({ standard, values: new Map(entries) });

/** GB/T 2261.1 sex (stored as smallint 0/1/2/9 in `teacher.gender`). */
export const GENDER = codeSet('GB/T 2261.1', [
  ['0', '未知的性别'],
  ['1', '男'],
  ['2', '女'],
  ['9', '未说明的性别'],
]);

/** GB/T 3304 ethnic groups, 01–56, plus 97 other and 98 naturalised foreign origin. */
export const ETHNICITY = codeSet('GB/T 3304', [
  ['01', '汉族'], ['02', '蒙古族'], ['03', '回族'], ['04', '藏族'], ['05', '维吾尔族'], ['06', '苗族'], ['07', '彝族'],
  ['08', '壮族'], ['09', '布依族'], ['10', '朝鲜族'], ['11', '满族'], ['12', '侗族'], ['13', '瑶族'], ['14', '白族'],
  ['15', '土家族'], ['16', '哈尼族'], ['17', '哈萨克族'], ['18', '傣族'], ['19', '黎族'], ['20', '傈僳族'], ['21', '佤族'],
  ['22', '畲族'], ['23', '高山族'], ['24', '拉祜族'], ['25', '水族'], ['26', '东乡族'], ['27', '纳西族'], ['28', '景颇族'],
  ['29', '柯尔克孜族'], ['30', '土族'], ['31', '达斡尔族'], ['32', '仫佬族'], ['33', '羌族'], ['34', '布朗族'], ['35', '撒拉族'],
  ['36', '毛南族'], ['37', '仡佬族'], ['38', '锡伯族'], ['39', '阿昌族'], ['40', '普米族'], ['41', '塔吉克族'], ['42', '怒族'],
  ['43', '乌孜别克族'], ['44', '俄罗斯族'], ['45', '鄂温克族'], ['46', '德昂族'], ['47', '保安族'], ['48', '裕固族'], ['49', '京族'],
  ['50', '塔塔尔族'], ['51', '独龙族'], ['52', '鄂伦春族'], ['53', '赫哲族'], ['54', '门巴族'], ['55', '珞巴族'], ['56', '基诺族'],
  ['97', '其他'], ['98', '外国血统中国籍人士'],
]);

/** GB/T 4762 political affiliation. */
export const POLITICAL_AFFILIATION = codeSet('GB/T 4762', [
  ['01', '中国共产党党员'], ['02', '中国共产党预备党员'], ['03', '中国共产主义青年团团员'], ['04', '中国国民党革命委员会会员'],
  ['05', '中国民主同盟盟员'], ['06', '中国民主建国会会员'], ['07', '中国民主促进会会员'], ['08', '中国农工民主党党员'],
  ['09', '中国致公党党员'], ['10', '九三学社社员'], ['11', '台湾民主自治同盟盟员'], ['12', '无党派人士'], ['13', '群众'],
]);

/** GB/T 4658 education level (学历), the codes used by the teacher management system. */
export const EDUCATION_LEVEL = codeSet('GB/T 4658', [
  ['10', '研究生教育'], ['11', '博士研究生毕业'], ['12', '博士研究生结业'], ['13', '博士研究生肄业'], ['14', '硕士研究生毕业'],
  ['15', '硕士研究生结业'], ['16', '硕士研究生肄业'], ['17', '研究生班毕业'], ['18', '研究生班结业'], ['19', '研究生班肄业'],
  ['20', '大学本科教育'], ['21', '大学本科毕业'], ['22', '大学本科结业'], ['23', '大学本科肄业'], ['28', '大学普通班毕业'],
  ['30', '大学专科教育'], ['31', '大学专科毕业'], ['32', '大学专科结业'], ['33', '大学专科肄业'],
  ['40', '中等职业教育'], ['41', '中等专科毕业'], ['42', '中等专科结业'], ['43', '中等专科肄业'], ['44', '职业高中毕业'],
  ['47', '技工学校毕业'], ['60', '普通高级中学教育'], ['61', '普通高中毕业'], ['70', '初级中学教育'], ['71', '初中毕业'],
  ['80', '小学教育'], ['81', '小学毕业'], ['90', '其他'],
]);

/** Identification document type [身份证件类型] of the national teacher management system. */
export const ID_DOCUMENT_TYPE = codeSet('教师管理信息系统 身份证件类型', [
  ['1', '居民身份证'], ['2', '军官证'], ['3', '士兵证'], ['4', '文职干部证'], ['5', '部队离退休证'],
  ['6', '香港特区护照/身份证明'], ['7', '澳门特区护照/身份证明'], ['8', '台湾居民来往大陆通行证'], ['9', '境外永久居住证'],
  ['A', '护照'], ['B', '户口簿'], ['Z', '其他'],
]);

/** Staff category [教职工类别]. */
export const STAFF_CATEGORY = codeSet('教职工类别', [
  ['1', '专任教师'], ['2', '行政人员'], ['3', '教辅人员'], ['4', '工勤人员'], ['5', '校办企业职工'], ['6', '其他附设机构人员'],
]);

/** Employment form [用人形式]. */
export const EMPLOYMENT_FORM = codeSet('用人形式', [
  ['1', '聘用制'], ['2', '劳动合同制'], ['3', '人事代理'], ['4', '劳务派遣'], ['5', '临时聘用'], ['9', '其他'],
]);

/** Professional title of primary and secondary teachers since the 2015 reform [职称]. */
export const TITLE = codeSet('中小学教师职称', [
  ['senior_professor', '正高级教师'], ['senior', '高级教师'], ['first', '一级教师'], ['second', '二级教师'], ['third', '三级教师'], ['none', '未定职级'],
]);

/** Teacher qualification kind [教师资格种类]. */
export const QUALIFICATION_KIND = codeSet('教师资格种类', [
  ['1', '幼儿园教师资格'], ['2', '小学教师资格'], ['3', '初级中学教师资格'], ['4', '高级中学教师资格'],
  ['5', '中等职业学校教师资格'], ['6', '中等职业学校实习指导教师资格'], ['7', '高等学校教师资格'],
]);

/** Where a teacher stands in the system [人员状态]. */
export const TEACHER_STATUS = codeSet('人员状态', [
  ['active', '在职'], ['transferred_out', '调出'], ['left', '离职'], ['retired', '退休'],
]);

/** Award level [获奖级别]. */
export const AWARD_LEVEL = codeSet('获奖级别', [
  ['national', '国家级'], ['provincial', '省级'], ['city', '市级'], ['county', '县级'], ['school', '校级'],
]);

export const hasCode = (set: CodeSet, code: string | null | undefined): boolean => code != null && set.values.has(code);
export const labelOf = (set: CodeSet, code: string | null | undefined): string | null => (code == null ? null : (set.values.get(code) ?? null));
/** Reverse lookup used by the import: accepts the code itself or the official label. */
export function codeFromCodeOrLabel(set: CodeSet, value: string): string | null {
  const trimmed = value.trim();
  if (set.values.has(trimmed)) return trimmed;
  for (const [code, label] of set.values) if (label === trimmed) return code;
  return null;
}
