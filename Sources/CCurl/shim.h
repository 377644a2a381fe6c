#ifndef FLOWLEARN_CCURL_SHIM_H
#define FLOWLEARN_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are C variadic functions, which Swift cannot call.
// These typed wrappers are the whole of what the poster needs.
static inline CURLcode flowlearn_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode flowlearn_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode flowlearn_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode flowlearn_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*flowlearn_curl_write_fn)(char *, size_t, size_t, void *);
static inline CURLcode flowlearn_curl_set_write_fn(CURL *h, CURLoption o, flowlearn_curl_write_fn f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode flowlearn_curl_get_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode flowlearn_curl_get_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
#endif
