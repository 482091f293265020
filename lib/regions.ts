/**
 * Administrative divisions (GB/T 2260) that the system needs by name: the province-level
 * prefixes of the whole country, and the county-level divisions of the three 京津冀 regions
 * the rule sets cover. A division code is six digits; its first two name the province.
 */

/** The programme regions with their own rule sets; everything else uses the national baseline. */
export type ProgrammeRegion = 'beijing' | 'tianjin' | 'hebei' | 'national';

/** Province-level division prefixes (GB/T 2260), with their names. */
export const PROVINCES: Readonly<Record<string, string>> = Object.freeze({
  '11': '北京市',
  '12': '天津市',
  '13': '河北省',
  '14': '山西省',
  '15': '内蒙古自治区',
  '21': '辽宁省',
  '22': '吉林省',
  '23': '黑龙江省',
  '31': '上海市',
  '32': '江苏省',
  '33': '浙江省',
  '34': '安徽省',
  '35': '福建省',
  '36': '江西省',
  '37': '山东省',
  '41': '河南省',
  '42': '湖北省',
  '43': '湖南省',
  '44': '广东省',
  '45': '广西壮族自治区',
  '46': '海南省',
  '50': '重庆市',
  '51': '四川省',
  '52': '贵州省',
  '53': '云南省',
  '54': '西藏自治区',
  '61': '陕西省',
  '62': '甘肃省',
  '63': '青海省',
  '64': '宁夏回族自治区',
  '65': '新疆维吾尔自治区',
  '71': '台湾省',
  '81': '香港特别行政区',
  '82': '澳门特别行政区',
});

/** County-level divisions of Beijing, Tianjin and Hebei known to the system (a real subset for Hebei). */
export const DISTRICTS: Readonly<Record<string, string>> = Object.freeze({
  // Beijing: all 16 districts
  '110101': '东城区',
  '110102': '西城区',
  '110105': '朝阳区',
  '110106': '丰台区',
  '110107': '石景山区',
  '110108': '海淀区',
  '110109': '门头沟区',
  '110111': '房山区',
  '110112': '通州区',
  '110113': '顺义区',
  '110114': '昌平区',
  '110115': '大兴区',
  '110116': '怀柔区',
  '110117': '平谷区',
  '110118': '密云区',
  '110119': '延庆区',
  // Tianjin: all 16 districts
  '120101': '和平区',
  '120102': '河东区',
  '120103': '河西区',
  '120104': '南开区',
  '120105': '河北区',
  '120106': '红桥区',
  '120110': '东丽区',
  '120111': '西青区',
  '120112': '津南区',
  '120113': '北辰区',
  '120114': '武清区',
  '120115': '宝坻区',
  '120116': '滨海新区',
  '120117': '宁河区',
  '120118': '静海区',
  '120119': '蓟州区',
  // Hebei: urban districts of the prefecture-level cities, and a few county-level cities
  '130102': '石家庄市长安区',
  '130104': '石家庄市桥西区',
  '130105': '石家庄市新华区',
  '130108': '石家庄市裕华区',
  '130109': '石家庄市藁城区',
  '130110': '石家庄市鹿泉区',
  '130111': '石家庄市栾城区',
  '130202': '唐山市路南区',
  '130203': '唐山市路北区',
  '130204': '唐山市古冶区',
  '130205': '唐山市开平区',
  '130207': '唐山市丰南区',
  '130208': '唐山市丰润区',
  '130302': '秦皇岛市海港区',
  '130303': '秦皇岛市山海关区',
  '130304': '秦皇岛市北戴河区',
  '130402': '邯郸市邯山区',
  '130403': '邯郸市丛台区',
  '130404': '邯郸市复兴区',
  '130602': '保定市竞秀区',
  '130606': '保定市莲池区',
  '130629': '保定市容城县',
  '130632': '保定市安新县',
  '130638': '保定市雄县',
  '130702': '张家口市桥东区',
  '130703': '张家口市桥西区',
  '130802': '承德市双桥区',
  '130803': '承德市双滦区',
  '130902': '沧州市新华区',
  '130903': '沧州市运河区',
  '131002': '廊坊市安次区',
  '131003': '廊坊市广阳区',
  '131081': '霸州市',
  '131082': '三河市',
  '131102': '衡水市桃城区',
});

const SIX_DIGITS = /^\d{6}$/;

/** Whether `code` is six digits under a known province prefix. */
/** The two-digit codes of every province, in code order. */
export function provincePrefixes(): string[] {
  return Object.keys(PROVINCES).sort();
}

/** Whether a division lies in `area` (000000 everywhere; a province code its whole province; else one district). */
export function inArea(area: string, division: string): boolean {
  if (area === '000000') return true;
  return area.endsWith('0000') ? division.startsWith(area.slice(0, 2)) : division === area;
}

export function isValidDivisionCode(code: string): boolean {
  return SIX_DIGITS.test(code) && PROVINCES[code.slice(0, 2)] !== undefined;
}

/** The programme region a division belongs to. */
export function programmeRegionOf(divisionCode: string): ProgrammeRegion {
  switch (divisionCode.slice(0, 2)) {
    case '11':
      return 'beijing';
    case '12':
      return 'tianjin';
    case '13':
      return 'hebei';
    default:
      return 'national';
  }
}

/** The known county-level division codes under a province prefix, in code order. */
export function districtsOf(provincePrefix: string): string[] {
  return Object.keys(DISTRICTS)
    .filter((c) => c.startsWith(provincePrefix))
    .sort();
}

/** A readable name for a division code (district name, else province name, else the code). */
export function divisionName(code: string): string {
  return DISTRICTS[code] ?? PROVINCES[code.slice(0, 2)] ?? code;
}
