import { execSync } from "child_process";

export function tagRelease(version: string, message: string) {
  execSync(`git tag -a v${version} -m "${message}"`, { stdio: "inherit" });
  execSync("git push --tags", { stdio: "inherit" });
}
