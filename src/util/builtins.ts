/**
 * Node built-ins loaded on first use (process.getBuiltinModule), not at import: node:dgram,
 * node:net and node:crypto are not in Node's startup snapshot, so importing them would cost
 * every program that imports netns-kit, most of which never use them.
 * @module
 */
import type crypto from 'node:crypto';
import type dgram from 'node:dgram';
import type net from 'node:net';

/** node:dgram */
export const dgramModule = (): typeof dgram => process.getBuiltinModule('node:dgram');
/** node:net */
export const netModule = (): typeof net => process.getBuiltinModule('node:net');
/** node:crypto */
export const cryptoModule = (): typeof crypto => process.getBuiltinModule('node:crypto');
