import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authSecret } from "@/lib/secrets";
import { authenticate } from "./users";

const g = globalThis as unknown as { marinerAuthOptions?: NextAuthOptions };

export function authOptions(): NextAuthOptions {
  return (g.marinerAuthOptions ??= {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          try {
            const actor = await authenticate(credentials?.email, credentials?.password);
            return actor ? { id: actor.id, email: actor.email, role: actor.role } : null;
          } catch (e) {
            throw new Error((e as Error).message); // shown on the sign-in page (rate limit)
          }
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  });
}
