package com.example.http;

import java.util.Set;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSession;

public class PinnedHosts implements HostnameVerifier {
    private static final Set<String> HOSTS = Set.of("api.example.com");

    @Override
    public boolean verify(String hostname, SSLSession session) {
        return HOSTS.contains(hostname)
            && HttpsURLConnection.getDefaultHostnameVerifier().verify(hostname, session);
    }
}
