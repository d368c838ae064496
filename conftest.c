/* confdefs.h */
#define PACKAGE_NAME "mpanel-portal"
#define PACKAGE_TARNAME "mpanel-portal"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "mpanel-portal 0.1.0"
#define PACKAGE_BUGREPORT ""
#define PACKAGE_URL ""
#define PACKAGE "mpanel-portal"
#define VERSION "0.1.0"
/* end confdefs.h.  */

int
main (void)
{
#ifndef __GNUC__
       choke me
#endif

  ;
  return 0;
}
