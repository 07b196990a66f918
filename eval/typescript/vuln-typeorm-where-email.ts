// corgi-expect: js-orm-where-interpolation
import { DataSource } from "typeorm";
import { User } from "./entities/User";

export async function findByEmail(db: DataSource, email: string): Promise<User | null> {
  return db.getRepository(User).createQueryBuilder("user").where(`user.email = '${email}'`).getOne();
}
