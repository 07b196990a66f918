<?php
session_start();

$cart = new Cart();
if (isset($_COOKIE['cart'])) {
    $items = json_decode(base64_decode($_COOKIE['cart']), true) ?: [];
    foreach ($items as $id => $qty) {
        $cart->add((int) $id, (int) $qty);
    }
}
$cart->add((int) $_POST['product_id'], (int) $_POST['qty']);
setcookie('cart', base64_encode(json_encode($cart->toArray())), ['expires' => time() + 86400, 'path' => '/', 'secure' => true, 'httponly' => true]);
