import { knex } from "../db";

export async function searchArticles(term: string, lang: string) {
  return knex("articles")
    .select("id", "title")
    .whereRaw("title ILIKE ?", [`%${term}%`])
    .andWhere("lang", lang)
    .limit(20);
}
