// Who may read /metrics: the METRICS_TOKEN bearer token, an address in METRICS_ALLOW, or both when
// both are set. With neither, the loopback interface outside production, and nobody in production
// (404: an unconfigured server does not advertise that it has metrics).
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Middleware } from 'koa';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';

/** 10.0.0.1 as the socket may report it (::ffff:10.0.0.1 on a dual-stack listener). */
function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

function familyOf(ip: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(ip);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** An allowlist of addresses and CIDR networks (entries already checked by the configuration). */
export function addressList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const family = familyOf(plainAddress(address!))!;
    if (bits === undefined) list.addAddress(plainAddress(address!), family);
    else list.addSubnet(plainAddress(address!), Number(bits), family);
  }
  return list;
}

const LOOPBACK = addressList(['127.0.0.0/8', '::1']);

function listed(list: BlockList, ip: string): boolean {
  const address = plainAddress(ip);
  const family = familyOf(address);
  return family !== undefined && list.check(address, family);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function bearerMatches(header: string, token: string): boolean {
  const match = /^Bearer (\S+)$/.exec(header);
  return !!match && timingSafeEqual(digest(match[1]!), digest(token));
}

export function metricsAccess(config: Pick<Config, 'env' | 'metrics'>): Middleware {
  const { token, allow } = config.metrics;
  const allowList = allow.length ? addressList(allow) : undefined;
  const unconfigured = !token && !allowList;
  return async (ctx, next) => {
    if (unconfigured) {
      if (config.env === 'production') throw new AppError('request.not_found');
      if (!listed(LOOPBACK, ctx.ip)) throw new AppError('metrics.forbidden');
    }
    if (allowList && !listed(allowList, ctx.ip)) throw new AppError('metrics.forbidden');
    if (token && !bearerMatches(ctx.get('authorization'), token)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('metrics.unauthenticated');
    }
    await next();
  };
}
