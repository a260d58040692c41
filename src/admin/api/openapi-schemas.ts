// What the admin API answers, as zod schemas for the OpenAPI document. The views they describe are
// TypeScript types: each schema is checked against its type at compile time (`Same` below), and
// test/http/openapi.test.ts checks real answers against them strictly, so neither drifts.
import { z } from 'zod';
import { LEVELS } from '../../authenticators/assurance.js';
import type { ClientSummary } from '../../clients/client.service.js';
import type { GroupEntity } from '../../persistence/entities/group.entity.js';
import type { PasskeyView } from '../../passkeys/passkey-view.js';
import type { AccountSession } from '../../provider/account-sessions.js';
import type { ResourceServer } from '../../resources/resource-server.service.js';
import { settingKeys, settingsRegistry } from '../../settings/settings.registry.js';
import type { SettingView } from '../../settings/settings.service.js';
import type { TokenView } from '../../tokens/token-view.js';
import { userUpdateSchema } from '../../users/user-admin.service.js';
import { roles } from '../../users/user.schema.js';
import type { UserView } from '../actions/user.actions.js';

/** True when a schema's output and a view type are the same shape (a compile error otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const epochMs = z.number().int().describe('Epoch milliseconds');

export const errorBody = z
  .strictObject({
    error: z.string().describe('A stable code, e.g. user.not_found, api.invalid, admin.forbidden'),
    message: z.string().describe('The words for a person'),
  })
  .meta({ id: 'Error' });

export const userView = z
  .strictObject({
    id: z.string(),
    username: z.string(),
    email: z.string(),
    mobile: z.string().nullable(),
    name: z.string(),
    role: z.enum(roles),
    status: z.enum(['active', 'disabled']),
    locked: z.boolean(),
    failedLogins: z.number().int(),
    lastLoginAt: epochMs.nullable(),
    temporaryPasswordUntil: epochMs.nullable().describe('Set while the password is one an administrator gave'),
    createdAt: epochMs,
  })
  .meta({ id: 'User' });
true satisfies Same<Omit<z.output<typeof userView>, 'role' | 'status'>, Omit<UserView, 'role' | 'status'>>;

/** The fields a PATCH may change: the service's own schema (the route passes the body on as it is). */
export const userUpdate = userUpdateSchema;

export const userDetail = userView
  .extend({ groups: z.array(z.strictObject({ id: z.string(), name: z.string() })) })
  .meta({ id: 'UserDetail' });

export const userPage = z.strictObject({ total: z.number().int(), page: z.number().int(), users: z.array(userView) }).meta({ id: 'UserPage' });

export const createdUser = z
  .strictObject({ user: userView, generatedPassword: z.string().optional().describe('Only when no password was given: shown this once') })
  .meta({ id: 'CreatedUser' });

export const accountSession = z
  .strictObject({
    signedInAt: epochMs,
    expiresAt: epochMs.nullable(),
    factors: z.array(z.string()).describe('RFC 8176 amr values'),
    applications: z.array(z.string()),
  })
  .meta({ id: 'Session' });
true satisfies Same<z.output<typeof accountSession>, AccountSession>;
export const sessionList = z.strictObject({ sessions: z.array(accountSession) });

export const resetLink = z.strictObject({ expiresAt: epochMs }).meta({ id: 'ResetLink' });

export const tokenView = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    serial: z.string().describe('10 digits'),
    kind: z.enum(['app', 'softtoken']).describe('app: a standard authenticator app; softtoken: the softtoken app'),
    state: z.enum(['pending', 'active', 'disabled']),
    registrationPending: z.boolean(),
    activationExpiresAt: epochMs.nullable(),
    activationExpired: z.boolean(),
    canEnable: z.boolean(),
    drift: z.number().int(),
    failedAttempts: z.number().int(),
    lastUsedAt: epochMs.nullable(),
    createdAt: epochMs,
  })
  .meta({ id: 'Token' });
true satisfies Same<Omit<z.output<typeof tokenView>, 'kind' | 'state'>, Omit<TokenView, 'kind' | 'state'>>;

export const tokenList = z.strictObject({ tokens: z.array(tokenView) });
export const reactivatedToken = z
  .strictObject({ token: tokenView, otpauthUri: z.string().optional().describe('For an authenticator app: the new secret, to show as a QR code') })
  .meta({ id: 'ReactivatedToken' });
export const resetToken = z.strictObject({ drift: z.number().int().describe('Time steps the device is off by'), token: tokenView }).meta({ id: 'ResetToken' });

export const passkeyView = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    createdAt: epochMs,
    lastUsedAt: epochMs.nullable(),
    device: z.strictObject({ name: z.string().optional(), kind: z.enum(['this-device', 'security-key', 'phone', 'unknown']) }),
    synced: z.boolean().describe('Synced to the owner\'s other devices by a passkey provider'),
    aaguid: z.string(),
    transports: z.array(z.string()),
  })
  .meta({ id: 'Passkey' });
true satisfies Same<z.output<typeof passkeyView>, PasskeyView>;

export const passkeyList = z.strictObject({ passkeys: z.array(passkeyView) });

export const clientRule = z
  .strictObject({ allowedGroups: z.array(z.string()).describe('Group ids; empty: everyone'), minLevel: z.enum(LEVELS).describe('The weakest acr the application accepts') })
  .meta({ id: 'ClientRule' });

export const clientView = z
  .strictObject({
    clientId: z.string(),
    name: z.string(),
    public: z.boolean(),
    firstParty: z.boolean(),
    serviceAccount: z.boolean(),
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
    backchannelLogoutUri: z.string().optional(),
    grantTypes: z.array(z.string()),
    authMethod: z.string().describe('none for a public application'),
    requirePar: z.boolean(),
    requireDpop: z.boolean(),
    idTokenSigningAlg: z.string(),
    resourceServer: z.string().optional().describe('The resource server whose introspection credentials this client is'),
    rule: clientRule,
  })
  .meta({ id: 'Client' });
true satisfies Same<Omit<z.output<typeof clientView>, 'rule'>, ClientSummary>;

export const clientList = z.strictObject({ clients: z.array(clientView) });
export const clientCredentials = z
  .strictObject({ clientId: z.string(), clientSecret: z.string().optional().describe('Shown this once; none for a public application') })
  .meta({ id: 'ClientCredentials' });

export const resourceServerView = z
  .strictObject({
    identifier: z.string().describe('The resource indicator (RFC 8707) applications send, and the aud of its tokens'),
    name: z.string(),
    scopes: z.array(z.string()),
    tokenFormat: z.enum(['jwt', 'opaque']),
    accessTokenTtl: z.number().int().describe('Seconds'),
    signingAlg: z.string(),
    clientId: z.string().describe('The client id of its introspection credentials'),
  })
  .meta({ id: 'ResourceServer' });
true satisfies Same<Omit<z.output<typeof resourceServerView>, 'tokenFormat'>, Omit<ResourceServer, 'tokenFormat'>>;
export const resourceServerList = z.strictObject({ resourceServers: z.array(resourceServerView) });
export const createdResourceServer = resourceServerView
  .extend({ clientSecret: z.string().describe('The introspection secret: shown this once') })
  .meta({ id: 'CreatedResourceServer' });

export const groupView = z.strictObject({ id: z.string(), name: z.string(), description: z.string(), createdAt: epochMs }).meta({ id: 'Group' });
true satisfies Same<z.output<typeof groupView>, Pick<GroupEntity, keyof GroupEntity>>;
export const groupList = z.strictObject({ groups: z.array(groupView) });

export const settingView = z
  .strictObject({ key: z.enum(settingKeys as [string, ...string[]]), label: z.string(), value: z.unknown(), defaultValue: z.unknown(), overridden: z.boolean() })
  .meta({ id: 'Setting' });
true satisfies Same<Omit<z.output<typeof settingView>, 'key'>, Omit<SettingView, 'key'>>;
export const settingList = z.strictObject({ settings: z.array(settingView) });

/** The settings a PATCH may name, each with its own bounds (the settings registry's schemas). */
export const settingsPatch = z
  .strictObject(Object.fromEntries(settingKeys.map((key) => [key, settingsRegistry[key].schema.optional().describe(settingsRegistry[key].label)])))
  .describe('Any of the settings; all are checked before any is stored');

export const auditEvent = z
  .strictObject({
    id: z.string(),
    at: epochMs,
    type: z.string().describe('e.g. login.success, login.password, account.locked, user.created'),
    outcome: z.enum(['success', 'failure']),
    actor: z.string().nullable().describe('A user id, client:<id> for a service account, or cli'),
    subject: z.string().nullable(),
    clientId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });
export const auditPage = z.strictObject({ total: z.number().int(), events: z.array(auditEvent) }).meta({ id: 'AuditPage' });
/** One line of the JSON-lines export: the event with its time as ISO 8601. */
export const auditLine = auditEvent.extend({ at: z.iso.datetime() }).meta({ id: 'AuditLine' });
