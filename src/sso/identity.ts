// What a sign-in proved, whatever the protocol. The shape is the domain's: the
// provisioning command takes it as it is (see SignInClaims).
export type { SignInClaims as SignInIdentity } from '../domain/provisioning/sign-in.ts';
