package com.example.http;

import javax.net.ssl.*;
import java.io.FileInputStream;
import java.security.KeyStore;

public final class InternalSsl {
    public static SSLContext context() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream("/etc/app/internal-ca.p12")) {
            ks.load(in, System.getenv("TRUSTSTORE_PASSWORD").toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
