import { execFileSync } from "child_process";

export function tagRelease(version: string, message: string) {
  execFileSync("git", ["tag", "-a", `v${version}`, "-m", message], { stdio: "inherit" });
  execFileSync("git", ["push", "--tags"], { stdio: "inherit" });
}
