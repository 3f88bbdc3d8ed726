/** The largest value of an `integer` column. */
export const INT4_MAX = 2_147_483_647;

// Column limits are the original MySQL schema's; validation mirrors them.
export const LIMITS = {
  email: 255,
  password: 128,
  nickname: 100,
  imageUrl: 255,
  statusMessage: 500,
  subject: 50,
  color: 7,
  status: 20,
} as const;
