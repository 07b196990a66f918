<?php
class OrderRepository
{
    public function __construct(private mysqli $db) {}

    public function forCustomer(string $email): array
    {
        $stmt = $this->db->prepare('SELECT id, total FROM orders WHERE customer_email = ?');
        $stmt->bind_param('s', $email);
        $stmt->execute();
        return $stmt->get_result()->fetch_all(MYSQLI_ASSOC);
    }
}
