<?php
session_start();

if (isset($_COOKIE['cart'])) {
    $cart = unserialize(base64_decode($_COOKIE['cart']));
} else {
    $cart = new Cart();
}
$cart->add((int) $_POST['product_id'], (int) $_POST['qty']);
setcookie('cart', base64_encode(serialize($cart)), time() + 86400, '/');
