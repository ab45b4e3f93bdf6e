/** "a string", "an array": the indefinite article before a type or a word in an error message. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
