import type { Format } from 'ajv';
export declare const crdFormats: Readonly<Record<'int32' | 'int64' | 'byte', Format>>;
