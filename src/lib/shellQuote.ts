/** One word for `sh -c`: bare when it is made of safe characters only, else single-quoted. */
export const shellQuote = (word: string): string =>
  /^[A-Za-z0-9_/.,:@%+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
