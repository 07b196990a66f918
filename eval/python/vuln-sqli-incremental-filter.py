def find_orders(cursor, status=None, customer=None):
    sql = "SELECT id, status, total FROM orders WHERE 1=1"
    if status:
        sql += f" AND status = '{status}'"
    if customer:
        sql += f" AND customer_name = '{customer}'"
    cursor.execute(sql)
    return cursor.fetchall()
