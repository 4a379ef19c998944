import { readFileSync } from 'node:fs';
import { packageRoot } from './package-root.js';

/** The version in package.json, recorded with every run. */
export const rewordVersion: string = (
  JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }
).version;
