// The parts of stream-json 1.x this package uses (stream-json ships no type declarations).
declare module "stream-json/Parser" {
  import { Transform, TransformOptions } from "node:stream";
  namespace Parser {
    interface ParserOptions extends TransformOptions {
      packValues?: boolean;
      streamValues?: boolean;
      jsonStreaming?: boolean;
    }
  }
  class Parser extends Transform {
    constructor(options?: Parser.ParserOptions);
    static make(options?: Parser.ParserOptions): Parser;
  }
  export = Parser;
}

declare module "stream-json/filters/Pick" {
  import { Transform, TransformOptions } from "node:stream";
  namespace Pick {
    /** a token of stream-json's parser */
    interface Token {
      name: string;
      value?: unknown;
    }
    interface PickOptions extends TransformOptions {
      /** a path ("responses"), a pattern, or a test of the path to the value about to start */
      filter: string | RegExp | ((stack: ReadonlyArray<string | number | null>, token: Token) => boolean);
      /** pick the first match only */
      once?: boolean;
      pathSeparator?: string;
    }
  }
  class Pick extends Transform {
    constructor(options: Pick.PickOptions);
    static make(options: Pick.PickOptions): Pick;
  }
  export = Pick;
}

declare module "stream-json/streamers/StreamArray" {
  import { Transform, TransformOptions } from "node:stream";
  namespace StreamArray {
    /** one element of the array, with its index */
    interface Item {
      key: number;
      value: unknown;
    }
  }
  class StreamArray extends Transform {
    constructor(options?: TransformOptions);
    static make(options?: TransformOptions): StreamArray;
  }
  export = StreamArray;
}
