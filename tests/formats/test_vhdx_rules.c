#include "vd_test.h"
