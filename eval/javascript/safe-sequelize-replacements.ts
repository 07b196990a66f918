import { Request, Response } from "express";
import { QueryTypes } from "sequelize";
import { sequelize } from "../db";

export async function orderHistory(req: Request, res: Response) {
  const orders = await sequelize.query(
    "SELECT id, total, created_at FROM orders WHERE customer_id = :customerId",
    { replacements: { customerId: req.params.customerId }, type: QueryTypes.SELECT }
  );
  res.json(orders);
}
