// The few calls of faker 4 the vendored stories make, without the package (its later releases were emptied by their author).
import { randomInt } from 'node:crypto';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november'];
const word = (): string => WORDS[randomInt(WORDS.length)]! + randomInt(1_000_000).toString(36);

export const random = {
  number: ({ min = 0, max = 99_999 }: { min?: number; max?: number } = {}): number => randomInt(min, max + 1),
  boolean: (): boolean => randomInt(2) === 1,
  word,
};

export const lorem = {
  sentence: (): string => `${Array.from({ length: 3 + randomInt(6) }, word).join(' ')}.`,
};
