<?php
// corgi-expect: php-dataflow-sql
function unsubscribe(mysqli $db): void
{
    $email = $_POST['email'];
    $list = $_POST['list'];
    $where = "email = '$email'";
    $where .= " AND list_id = " . $list;
    $sql = <<<SQL
DELETE FROM subscriptions WHERE {$where}
SQL;
    $db->query($sql);
}
