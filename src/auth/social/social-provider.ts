export type SocialProviderName = 'google' | 'kakao' | 'naver';

/** Who a provider says the user is, after every check passed. */
export interface SocialIdentity {
  provider: SocialProviderName;
  socialId: string;
  email: string | null;
  /** Only a verified e-mail is stored or used to link to an existing account. */
  emailVerified: boolean;
}
