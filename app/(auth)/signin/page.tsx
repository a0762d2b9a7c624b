import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await currentActor()) redirect("/environments");
  const { callbackUrl } = await searchParams;
  // Only same-site paths: never bounce a user to another origin after sign-in.
  const target = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/environments";
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm space-y-6">
        <div className="flex items-center gap-2">
          <img src="/icon.svg" alt="" className="h-8 w-8" />
          <span className="text-xl font-semibold">Mariner</span>
        </div>
        <SignInForm callbackUrl={target} />
      </div>
    </main>
  );
}
