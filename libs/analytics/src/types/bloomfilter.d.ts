// bloomfilter 1.1.0 ships no types (@types/bloomfilter describes an older API).
declare module 'bloomfilter' {
  export class BloomFilter {
    constructor(bits: number, hashes: number);
    add(value: string): void;
    test(value: string): boolean;
  }
}
