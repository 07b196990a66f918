<?php
$xml = file_get_contents('php://input');
$doc = simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NOENT | LIBXML_DTDLOAD);
foreach ($doc->product as $product) {
    importProduct((string) $product->sku, (int) $product->stock);
}
