class Cfg {
    string segmentWriteKey = @"uLKHwZZKKxFDPFhH3T2N3jCdJJR9KF2B";
}
