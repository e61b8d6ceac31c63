import { createHmac } from 'node:crypto';

/** Keyed hash of a data subject's V-number, as stored in the processing log: never the number in clear. */
export const pseudonymise = (key: string, vNumber: string): string => createHmac('sha256', key).update(vNumber).digest('hex');
