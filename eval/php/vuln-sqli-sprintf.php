<?php
class OrderRepository
{
    public function __construct(private mysqli $db) {}

    public function forCustomer(string $email): array
    {
        $sql = sprintf("SELECT id, total FROM orders WHERE customer_email = '%s'", $email);
        return $this->db->query($sql)->fetch_all(MYSQLI_ASSOC);
    }
}
