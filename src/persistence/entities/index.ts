// The list of entities the data source knows.
import { AuditEventEntity } from './audit-event.entity.js';
import { ClientRuleEntity } from './client-rule.entity.js';
import { GroupEntity } from './group.entity.js';
import { SettingEntity } from './setting.entity.js';
import { UserGroupEntity } from './user-group.entity.js';
import { CredentialEntity } from './credential.entity.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { OidcPayloadEntity } from './oidc-payload.entity.js';
import { OneTimePinEntity } from './one-time-pin.entity.js';
import { PasskeyEntity } from './passkey.entity.js';
import { PasswordResetEntity } from './password-reset.entity.js';
import { RateLimitEntity } from './rate-limit.entity.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { ResourceServerEntity } from './resource-server.entity.js';
import { SecretEntity } from './secret.entity.js';
import { SecurityAnswerEntity } from './security-answer.entity.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SoftTokenEntity } from './soft-token.entity.js';
import { TokenActivationEntity } from './token-activation.entity.js';
import { UserEntity } from './user.entity.js';

export const entities = [
  UserEntity,
  CredentialEntity,
  OneTimePinEntity,
  RateLimitEntity,
  AuditEventEntity,
  SigningKeyEntity,
  SecretEntity,
  OidcClientEntity,
  OidcPayloadEntity,
  SoftTokenEntity,
  TokenActivationEntity,
  SecurityAnswerEntity,
  SettingEntity,
  GroupEntity,
  UserGroupEntity,
  ClientRuleEntity,
  PasswordResetEntity,
  PasskeyEntity,
  RecoveryCodeEntity,
  ResourceServerEntity,
];
