/** The editions the sandbox speaks: their base path and the product name in labels and messages. */
export const KOT_SANDBOX_EDITIONS = {
  kingoftime: { basePath: '/v1.0', product: 'KING OF TIME' },
  ohs: { basePath: '/ohs/v1.0', product: 'おまかせ はたラクサポート' },
} as const;
export type KotEdition = keyof typeof KOT_SANDBOX_EDITIONS;
