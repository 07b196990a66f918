// corgi-expect: java-trust-all-certificates
package com.example.http;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;

public class LenientHosts implements HostnameVerifier {
    @Override
    public boolean verify(String hostname, SSLSession session) {
        return true;
    }
}
