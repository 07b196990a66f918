def find_orders(cursor, status=None, customer=None):
    clauses, params = [], []
    if status:
        clauses.append("status = %s")
        params.append(status)
    if customer:
        clauses.append("customer_name = %s")
        params.append(customer)
    where = " AND ".join(clauses) or "TRUE"
    cursor.execute("SELECT id, status, total FROM orders WHERE " + where, params)
    return cursor.fetchall()
