/**
 * The pages' words in Chinese (first) and English, and the language a reader chose (kept in
 * localStorage). Each element with data-i18n="key" gets its text from here.
 */
export const WORDS = {
  zh: {
    title: '个体工商户分型分类公示',
    lead: '查询个体工商户的分型结果与“名特优新”认定。无需账号。',
    searchLabel: '名称（至少两个字）或统一社会信用代码',
    search: '查询',
    switchLanguage: 'English',
    results: '查询结果',
    name: '名称',
    creditCode: '统一社会信用代码',
    region: '行政区划',
    type: '类型',
    asOf: '分型日期',
    recognition: '名特优新',
    validUntil: '有效期至',
    none: '无',
    notTyped: '尚未分型',
    noResults: '没有找到符合条件的个体工商户。',
    tooShort: '请输入至少两个字的名称，或18位统一社会信用代码。',
    failed: '查询失败：',
    details: '详情',
    standards: '分型标准依据：国市监注发〔2024〕10号及各地实施方案。',
    survival: '生存型',
    growth: '成长型',
    development: '发展型',
    ineligible: '不符合分型条件',
    wellKnown: '知名',
    distinctive: '特色',
    quality: '优质',
    emerging: '新兴',
    badgeValid: '名特优新个体工商户',
    badgeInvalid: '徽章无效',
    badgeChecking: '正在核验…',
    verified: '签名已核验',
    worklistTitle: '帮扶台账：部门工作清单',
    signIn: '登录',
    signOut: '退出',
    tokenLabel: '访问令牌（部门角色；开发环境可用 npm run -s cli -- token 生成）',
    openMeasures: '待落实的帮扶措施',
    measure: '措施',
    record: '记录落实情况',
    more: '下一页',
    delivered: '已落实',
    declined: '企业放弃',
    unreachable: '无法联系',
    on: '日期',
    note: '备注',
    save: '记录',
    saved: '已记录：',
    nothingOpen: '没有待落实的措施。',
    actingFor: '部门',
  },
  en: {
    title: 'Individual businesses: types and recognition',
    lead: "Look up an individual business's type and its 名特优新 recognition. No account needed.",
    searchLabel: 'Name (two characters or more) or unified social credit code',
    search: 'Search',
    switchLanguage: '中文',
    results: 'Results',
    name: 'Name',
    creditCode: 'Credit code',
    region: 'Division',
    type: 'Type',
    asOf: 'Typed as of',
    recognition: '名特优新',
    validUntil: 'Valid until',
    none: 'None',
    notTyped: 'Not typed yet',
    noResults: 'No individual business matches.',
    tooShort: 'Give a name of two characters or more, or an 18-character credit code.',
    failed: 'The search failed: ',
    details: 'Details',
    standards: 'Typed under 国市监注发〔2024〕10号 and the provinces’ implementing plans.',
    survival: 'Survival',
    growth: 'Growth',
    development: 'Development',
    ineligible: 'Not eligible for typing',
    wellKnown: 'Well-known',
    distinctive: 'Distinctive',
    quality: 'Quality',
    emerging: 'Emerging',
    badgeValid: '名特优新 individual business',
    badgeInvalid: 'Badge not valid',
    badgeChecking: 'Checking…',
    verified: 'Signature verified',
    worklistTitle: 'Support ledger: a department’s worklist',
    signIn: 'Sign in',
    signOut: 'Sign out',
    tokenLabel: 'Access token (department role; in development, npm run -s cli -- token mints one)',
    openMeasures: 'Measures still to deliver',
    measure: 'Measure',
    record: 'Record what was done',
    more: 'Next page',
    delivered: 'Delivered',
    declined: 'Declined by the business',
    unreachable: 'Not reachable',
    on: 'Date',
    note: 'Note',
    save: 'Record',
    saved: 'Recorded: ',
    nothingOpen: 'No measure left to deliver.',
    actingFor: 'Department',
  },
};

/** The reader's language: Chinese, unless the reader switched to English before. */
export function language() {
  return globalThis.localStorage?.getItem('getihu.lang') === 'en' ? 'en' : 'zh';
}

/** A word in a language (the key itself if there is none). */
export function word(lang, key) {
  return WORDS[lang]?.[key] ?? WORDS.zh[key] ?? key;
}

/** Sets the document's language and the text of every element with data-i18n. */
export function translate(root, lang) {
  root.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = word(lang, el.dataset.i18n);
}
