// The built-in client through which the provider's own pages (My Profile, admin console) sign in.
export const CONSOLE_CLIENT_ID = 'idp-console';
