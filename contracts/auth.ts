import Type, { type Static } from 'typebox';
import { Strict } from './common.js';

export const LoginBody = Strict(
  {
    nisn: Type.Optional(
      Type.String({ minLength: 1, maxLength: 20, description: 'students sign in with their NISN' }),
    ),
    email: Type.Optional(
      Type.String({
        format: 'email',
        maxLength: 254,
        description: 'staff sign in with their email',
      }),
    ),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { description: 'Exactly one of nisn (student) or email (staff), with the password' },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Strict({ refreshToken: Type.String({ minLength: 10, maxLength: 200 }) });

export const AuthUser = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('student'), Type.Literal('staff')]),
  name: Type.String(),
  nisn: Type.Optional(Type.String()),
  classId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  email: Type.Optional(Type.String()),
  role: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  permissions: Type.Optional(Type.Array(Type.String())),
  superAdmin: Type.Optional(Type.Boolean()),
});
export type AuthUser = Static<typeof AuthUser>;

export const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
  user: AuthUser,
});
export type TokenPair = Static<typeof TokenPair>;
