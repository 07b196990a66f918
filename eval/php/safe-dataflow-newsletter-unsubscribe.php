<?php
function unsubscribe(mysqli $db): void
{
    $email = $_POST['email'];
    $list = intval($_POST['list']);
    $stmt = $db->prepare('DELETE FROM subscriptions WHERE email = ? AND list_id = ?');
    $stmt->bind_param('si', $email, $list);
    $stmt->execute();
}
