package com.example.invoices;

import javax.xml.parsers.*;
import org.w3c.dom.*;
import java.io.InputStream;

public class InvoiceImporter {
    public Invoice parse(InputStream xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        DocumentBuilder builder = factory.newDocumentBuilder();
        Document doc = builder.parse(xml);
        Element root = doc.getDocumentElement();
        return new Invoice(root.getAttribute("number"), root.getElementsByTagName("line").getLength());
    }
}
