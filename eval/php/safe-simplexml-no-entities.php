<?php
$xml = file_get_contents('php://input');
$doc = simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NONET);
if ($doc === false) {
    http_response_code(400);
    exit;
}
foreach ($doc->product as $product) {
    importProduct((string) $product->sku, (int) $product->stock);
}
