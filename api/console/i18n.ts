/**
 * Every word the console shows, in English and Simplified Chinese. The language comes from the
 * `lang` cookie (set by the switch in the header), else from Accept-Language, else English.
 */
const en = {
  skip: 'Skip to content',
  site: 'Site {site}',
  signIn: 'Sign in',
  signInTitle: 'Sign in to crashdesk {site}',
  username: 'Username',
  password: 'Password',
  badCredentials: 'The username or password is wrong.',
  throttled: 'Too many failed sign-ins; try again in {seconds} seconds.',
  sessionExpired: 'Your session has ended; sign in again. An unsaved form is kept on this computer and comes back after you sign in.',
  signedOut: 'You are signed out.',
  signOut: 'Sign out',
  signedInAs: '{user} ({role})',
  mainNav: 'Main',
  navList: "Day's reports",
  navNew: 'New report',
  navExport: 'Export CSV',
  searchLabel: 'Policy number',
  searchButton: 'Search',
  searchTitle: 'Reports for policy {policy}',
  searchNone: 'No report has this policy number.',
  searchHint: 'Press / to search',
  listTitle: 'Reports of {date}',
  listDate: 'Day',
  listShow: 'Show',
  listNone: 'No reports for this day.',
  listPage: 'Page {n}',
  listCount: '{n} reports on this page',
  listNext: 'Next page',
  listPrevious: 'Previous page',
  listFirst: 'First page',
  pagination: 'Pages',
  colTime: 'Recorded (UTC)',
  colPolicy: 'Policy',
  colDrivers: 'Drivers',
  colLocation: 'Location',
  colStatus: 'Status',
  status_open: 'Open',
  status_under_review: 'Under review',
  status_closed: 'Closed',
  callReason: 'Reason for the call',
  cause: 'Cause',
  drivers: 'Drivers',
  driverN: 'Driver {n}',
  policyNumber: 'Policy number',
  accidentDate: 'Accident date',
  location: 'Location',
  damages: 'Damages',
  damageN: 'Damage {n}',
  summary: 'Summary',
  status: 'Status',
  hintDrivers: 'One name per field, 1 to {max}. Empty fields are ignored.',
  hintDamages: 'One damage per field, up to {max}. Empty fields are ignored.',
  hintPolicy: 'Letters and digits; spaces and hyphens do not count.',
  hintDate: 'Not after tomorrow.',
  required: '(required)',
  addDriver: 'Add a driver',
  addDamage: 'Add a damage',
  moreRows: 'More empty rows',
  remove: 'Remove',
  removeItem: 'Remove {item}',
  save: 'Record report',
  update: 'Save changes',
  cancel: 'Cancel',
  newTitle: 'New report',
  editTitle: 'Edit report {id}',
  errorsSummary: 'The report was not saved: correct the fields marked below.',
  draftRestored: 'Your unsaved draft was restored.',
  discardDraft: 'Discard draft',
  keyReused: "This form was already sent with other values. Check the day's list before recording it again.",
  detailTitle: 'Report {id}',
  edit: 'Edit',
  delete: 'Delete',
  backToList: 'Back to the list',
  recordedBy: 'Recorded {at} by {user}',
  changedAt: 'Last changed {at}, version {version}',
  noneGiven: '(none)',
  noticeCreated: 'Report recorded.',
  noticeUpdated: 'Changes saved.',
  noticeDeleted: 'Report deleted.',
  conflictTitle: 'Someone else changed this report',
  conflictExplain:
    'Your changes were not saved: someone else saved version {current} after you opened version {yours}. Compare both versions below, then save yours over theirs or keep theirs.',
  conflictYours: 'Your version (not saved)',
  conflictTheirs: 'Saved version {version}',
  conflictSaveMine: 'Save my version over theirs',
  conflictKeepTheirs: 'Keep the saved version',
  deleteTitle: 'Delete report {id}?',
  deleteExplain: 'The report disappears from lists and searches; it is kept, hidden, for the audit trail.',
  deleteConfirm: 'Yes, delete it',
  exportTitle: 'Export reports as CSV',
  exportExplain: 'Every report whose accident date is in the range, day by day. Any size works: the file is written as it downloads.',
  exportFrom: 'From',
  exportTo: 'To',
  exportButton: 'Download CSV',
  exportRange: '"To" must not be before "From".',
  exportTooLong: 'Export at most {days} days at a time.',
  roleTitle: 'Not available for your role',
  roleNeeds: 'This page needs the permission {permission}, which your role does not have.',
  roleExplain: 'The console is for agents and supervisors. Your role ({role}) works through the API:',
  apiDocs: 'API documentation',
  notFoundTitle: 'Not found',
  notFound: 'There is no report {id} at this site (it may have been deleted).',
  csrf: 'This form expired or came from another page; reload the page and try again.',
  languageLabel: 'Language',
  otherLanguage: '中文',
  invalidDate: 'must be a real date written YYYY-MM-DD',
};

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  skip: '跳到主要内容',
  site: '站点 {site}',
  signIn: '登录',
  signInTitle: '登录 crashdesk {site}',
  username: '用户名',
  password: '密码',
  badCredentials: '用户名或密码错误。',
  throttled: '登录失败次数过多，请在 {seconds} 秒后重试。',
  sessionExpired: '会话已结束，请重新登录。未保存的表单保留在本机，登录后会自动恢复。',
  signedOut: '您已退出登录。',
  signOut: '退出登录',
  signedInAs: '{user}（{role}）',
  mainNav: '主导航',
  navList: '当日报告',
  navNew: '新建报告',
  navExport: '导出 CSV',
  searchLabel: '保单号',
  searchButton: '搜索',
  searchTitle: '保单 {policy} 的报告',
  searchNone: '没有该保单号的报告。',
  searchHint: '按 / 键搜索',
  listTitle: '{date} 的报告',
  listDate: '日期',
  listShow: '显示',
  listNone: '当天没有报告。',
  listPage: '第 {n} 页',
  listCount: '本页 {n} 份报告',
  listNext: '下一页',
  listPrevious: '上一页',
  listFirst: '第一页',
  pagination: '分页',
  colTime: '记录时间（UTC）',
  colPolicy: '保单号',
  colDrivers: '驾驶员',
  colLocation: '地点',
  colStatus: '状态',
  status_open: '未处理',
  status_under_review: '审核中',
  status_closed: '已结案',
  callReason: '来电原因',
  cause: '事故原因',
  drivers: '驾驶员',
  driverN: '驾驶员 {n}',
  policyNumber: '保单号',
  accidentDate: '事故日期',
  location: '地点',
  damages: '损坏情况',
  damageN: '损坏 {n}',
  summary: '摘要',
  status: '状态',
  hintDrivers: '每栏一个姓名，1 到 {max} 名。空白栏会被忽略。',
  hintDamages: '每栏一项损坏，最多 {max} 项。空白栏会被忽略。',
  hintPolicy: '字母和数字；空格和连字符不计。',
  hintDate: '不能晚于明天。',
  required: '（必填）',
  addDriver: '添加驾驶员',
  addDamage: '添加损坏',
  moreRows: '更多空白栏',
  remove: '删除',
  removeItem: '删除{item}',
  save: '保存报告',
  update: '保存修改',
  cancel: '取消',
  newTitle: '新建报告',
  editTitle: '编辑报告 {id}',
  errorsSummary: '报告未保存：请更正下方标出的字段。',
  draftRestored: '已恢复未保存的草稿。',
  discardDraft: '放弃草稿',
  keyReused: '此表单已用其他内容提交过。再次保存前请先查看当日报告列表。',
  detailTitle: '报告 {id}',
  edit: '编辑',
  delete: '删除',
  backToList: '返回列表',
  recordedBy: '{at} 由 {user} 记录',
  changedAt: '最后修改于 {at}，版本 {version}',
  noneGiven: '（无）',
  noticeCreated: '报告已保存。',
  noticeUpdated: '修改已保存。',
  noticeDeleted: '报告已删除。',
  conflictTitle: '其他人已修改此报告',
  conflictExplain: '您的修改未保存：在您打开版本 {yours} 之后，其他人保存了版本 {current}。请比较下面两个版本，然后用您的版本覆盖，或保留已保存的版本。',
  conflictYours: '您的版本（未保存）',
  conflictTheirs: '已保存的版本 {version}',
  conflictSaveMine: '用我的版本覆盖',
  conflictKeepTheirs: '保留已保存的版本',
  deleteTitle: '删除报告 {id}？',
  deleteExplain: '报告将从列表和搜索中消失；为审计追踪，它会被隐藏保留。',
  deleteConfirm: '确认删除',
  exportTitle: '导出 CSV 报告',
  exportExplain: '导出事故日期在此范围内的全部报告，按日排列。任何规模均可：文件边下载边生成。',
  exportFrom: '起始日期',
  exportTo: '结束日期',
  exportButton: '下载 CSV',
  exportRange: '结束日期不能早于起始日期。',
  exportTooLong: '每次最多导出 {days} 天。',
  roleTitle: '您的角色无法使用此页面',
  roleNeeds: '此页面需要权限 {permission}，您的角色没有该权限。',
  roleExplain: '控制台供坐席和主管使用。您的角色（{role}）请通过 API 操作：',
  apiDocs: 'API 文档',
  notFoundTitle: '未找到',
  notFound: '本站点没有报告 {id}（可能已被删除）。',
  csrf: '此表单已过期或来自其他页面；请刷新页面后重试。',
  languageLabel: '语言',
  otherLanguage: 'English',
  invalidDate: '须为有效日期，格式 YYYY-MM-DD',
};

export const languages = ['en', 'zh'] as const;
export type Language = (typeof languages)[number];

const catalogues: Record<Language, Record<MessageKey, string>> = { en, zh };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const catalogue = catalogues[language];
  return (key, params = {}) => catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}

/** The cookie's choice if valid, else the best of Accept-Language by q-value, else English. */
export function chooseLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Language {
  if (cookie === 'en' || cookie === 'zh') return cookie;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { primary: tag.split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ q }) => q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { primary } of ranked) if (primary === 'en' || primary === 'zh') return primary;
  return 'en';
}

// The validation messages of api/accidents/schema.ts, with numbers as {n}; the console shows the
// server's (and its own browser-side) messages in the agent's language.
const validationZh: Record<string, string> = {
  'is required': '必填',
  'must not be empty': '不能为空',
  'must be at most {n} characters': '最多 {n} 个字符',
  'must not contain control characters': '不能包含控制字符',
  'must be 1 to {n} letters or digits (spaces, hyphens, dots and slashes allowed)': '须为 1 到 {n} 个字母或数字（可含空格、连字符、点和斜杠）',
  'must be a real date written YYYY-MM-DD': '须为有效日期，格式 YYYY-MM-DD',
  'must not be before {n}-{n}-{n}': '不能早于 1970-01-01',
  'must not be after tomorrow': '不能晚于明天',
  'must name at least one driver': '至少填写一名驾驶员',
  'must name at most {n} drivers': '最多 {n} 名驾驶员',
  'must list at most {n} damages': '最多 {n} 项损坏',
  'must be one of the listed values': '须为列出的选项之一',
};

/** A schema's English message in the agent's language (unknown messages stay as they are). */
export function translateValidation(language: Language, message: string): string {
  if (language === 'en') return message;
  const numbers = message.match(/\d+/g) ?? [];
  const template = validationZh[message.replace(/\d+/g, '{n}')];
  if (!template) return message;
  let index = 0;
  return template.replace(/\{n\}/g, () => numbers[index++] ?? '{n}');
}
