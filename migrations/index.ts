// Every migration, in order; the data source runs the pending ones at start.
import { Initial1763800000000 } from './1763800000000-initial.js';
import { SoftTokens1763900000000 } from './1763900000000-soft-tokens.js';
import { SecurityQuestions1764000000000 } from './1764000000000-security-questions.js';
import { Administration1764100000000 } from './1764100000000-administration.js';
import { PasswordResets1764210000000 } from './1764210000000-password-resets.js';
import { PayloadAccounts1764300000000 } from './1764300000000-payload-accounts.js';
import { SessionsEnded1764400000000 } from './1764400000000-sessions-ended.js';
import { PayloadClients1764500000000 } from './1764500000000-payload-clients.js';
import { TemporaryPasswords1764600000000 } from './1764600000000-temporary-passwords.js';
import { HashedPayloadIds1764700000000 } from './1764700000000-hashed-payload-ids.js';
import { Passkeys1764800000000 } from './1764800000000-passkeys.js';
import { AssuranceRules1764900000000 } from './1764900000000-assurance-rules.js';
import { RecoveryCodes1765000000000 } from './1765000000000-recovery-codes.js';
import { ResourceServers1765050000000 } from './1765050000000-resource-servers.js';
import { UserLocale1765100000000 } from './1765100000000-user-locale.js';
import { OnePinPerPurpose1765200000000 } from './1765200000000-one-pin-per-purpose.js';
import { PartialPayloadIndexes1765300000000 } from './1765300000000-partial-payload-indexes.js';

export const migrations = [Initial1763800000000, SoftTokens1763900000000, SecurityQuestions1764000000000, Administration1764100000000, PasswordResets1764210000000, PayloadAccounts1764300000000, SessionsEnded1764400000000, PayloadClients1764500000000, TemporaryPasswords1764600000000, HashedPayloadIds1764700000000, Passkeys1764800000000, AssuranceRules1764900000000, RecoveryCodes1765000000000, ResourceServers1765050000000, UserLocale1765100000000, OnePinPerPurpose1765200000000, PartialPayloadIndexes1765300000000];
