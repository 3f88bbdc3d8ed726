import { createHash } from 'node:crypto';

/** The deletion page's HTML: no script, one inline style allowed by its hash in the CSP. */
export type Lang = 'ko' | 'en';

const TEXT = {
  ko: {
    title: '계정 삭제',
    intro: '앱 없이도 계정을 삭제할 수 있습니다. 이메일과 비밀번호로 로그인하세요.',
    email: '이메일',
    password: '비밀번호',
    signIn: '로그인',
    confirmTitle: '정말 삭제할까요?',
    confirmBody:
      '계정과 모든 공부 기록, 카테고리, 포인트, 인벤토리가 즉시 영구 삭제되며 되돌릴 수 없습니다. 앱의 모든 로그인도 끝납니다.',
    confirm: '계정 영구 삭제',
    cancel: '취소',
    doneTitle: '계정이 삭제되었습니다',
    doneBody: '계정과 모든 데이터가 삭제되었습니다. 이용해 주셔서 감사합니다.',
    wrong: '이메일 또는 비밀번호가 올바르지 않습니다.',
    social: '이 계정은 소셜 로그인(Google, 카카오, 네이버)으로 가입했습니다. 앱에서 로그인한 뒤 설정에서 삭제하세요.',
    expired: '페이지가 만료되었거나 다른 사이트에서 보낸 요청입니다. 처음부터 다시 시도하세요.',
    limited: '시도가 너무 많습니다. 잠시 후 다시 시도하세요.',
    unavailable: '일시적으로 처리할 수 없습니다. 잠시 후 다시 시도하세요.',
    failed: '알 수 없는 문제가 발생했습니다. 잠시 후 다시 시도하세요.',
    again: '처음으로',
  },
  en: {
    title: 'Delete your account',
    intro: 'You can delete your account without the app. Sign in with your e-mail and password.',
    email: 'E-mail',
    password: 'Password',
    signIn: 'Sign in',
    confirmTitle: 'Delete for good?',
    confirmBody:
      'Your account and all its study records, categories, points and inventory are erased at once and cannot be restored. Every sign-in of the app ends too.',
    confirm: 'Delete my account for good',
    cancel: 'Cancel',
    doneTitle: 'Your account is deleted',
    doneBody: 'Your account and all its data are erased. Thank you for studying with us.',
    wrong: 'The e-mail or the password is wrong.',
    social:
      'This account signs in with Google, Kakao or Naver. Sign in to the app with it and delete the account in the settings.',
    expired: 'This page expired, or the request came from another site. Please start again.',
    limited: 'Too many attempts. Please wait a moment and try again.',
    unavailable: 'The service cannot do this right now. Please try again in a moment.',
    failed: 'Something went wrong. Please try again in a moment.',
    again: 'Start again',
  },
} as const;

export type MessageKey = 'wrong' | 'social' | 'expired' | 'limited' | 'unavailable' | 'failed';

/** The language the browser prefers most, among Korean and English; Korean when it names neither. */
export function pickLang(acceptLanguage: string | undefined): Lang {
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const lang =
      tag === 'ko' || tag.startsWith('ko-') ? 'ko' : tag === 'en' || tag.startsWith('en-') ? 'en' : undefined;
    if (lang && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'ko';
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}' +
  'label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}' +
  'button{margin-top:1rem;padding:.6rem 1rem}.danger{background:#b00020;color:#fff;border:0}' +
  '.error{color:#b00020}';

/** The CSP allows exactly this inline style and nothing else. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(lang: Lang, heading: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escape(TEXT[lang].title)}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escape(heading)}</h1>${body}</main></body></html>`
  );
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escape(value)}">`;

export function signInPage(lang: Lang, csrf: string, message?: MessageKey, email = ''): string {
  const t = TEXT[lang];
  const error = message ? `<p class="error" role="alert">${escape(t[message])}</p>` : '';
  return layout(
    lang,
    t.title,
    `${error}<p>${escape(t.intro)}</p>` +
      `<form method="post" action="/account/delete">${hidden('step', 'sign-in')}${hidden('csrf', csrf)}` +
      `<label for="email">${escape(t.email)}</label>` +
      `<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escape(email)}">` +
      `<label for="password">${escape(t.password)}</label>` +
      '<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">' +
      `<button type="submit">${escape(t.signIn)}</button></form>`,
  );
}

export function confirmPage(lang: Lang, csrf: string, proof: string, email: string): string {
  const t = TEXT[lang];
  return layout(
    lang,
    t.confirmTitle,
    `<p><strong>${escape(email)}</strong></p><p>${escape(t.confirmBody)}</p>` +
      `<form method="post" action="/account/delete">${hidden('step', 'confirm')}${hidden('csrf', csrf)}` +
      `${hidden('proof', proof)}<button class="danger" type="submit">${escape(t.confirm)}</button></form>` +
      `<p><a href="/account/delete">${escape(t.cancel)}</a></p>`,
  );
}

export function donePage(lang: Lang): string {
  const t = TEXT[lang];
  return layout(lang, t.doneTitle, `<p>${escape(t.doneBody)}</p>`);
}

/** A refusal that can't continue on the same form (expired or forged): back to the start. */
export function errorPage(lang: Lang, message: MessageKey): string {
  const t = TEXT[lang];
  return layout(
    lang,
    t.title,
    `<p class="error" role="alert">${escape(t[message])}</p><p><a href="/account/delete">${escape(t.again)}</a></p>`,
  );
}
