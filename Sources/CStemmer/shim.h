#ifndef FLOWLEARN_CSTEMMER_SHIM_H
#define FLOWLEARN_CSTEMMER_SHIM_H
#include <libstemmer.h>
#endif
