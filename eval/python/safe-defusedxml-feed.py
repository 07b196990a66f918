from defusedxml import ElementTree


def parse_supplier_feed(xml_bytes):
    root = ElementTree.fromstring(xml_bytes)
    return [item.findtext("sku") for item in root.iter("item")]
