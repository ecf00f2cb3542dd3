set define off
set verify off
set feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
-- Optional: websocket_api.broadcast_item, the original APEX RTM suite's
-- PL/SQL entry point, re-implemented on rtm_api so that an application's own
-- PL/SQL that calls it keeps working after the upgrade, without the MLE
-- module or the hard-coded API key. It replaces the original package of the
-- same name (see UPGRADE.md; rolling back re-runs the original
-- db/05_websocket_api.sql).
--
-- NOT RUN HERE: no Oracle database in this repository; see README.md.
--------------------------------------------------------------------------------

prompt rtm-kit: package websocket_api (compatibility)
create or replace package websocket_api authid definer as
  /**
   * rtm-kit compatibility for the original websocket_api.broadcast_item. p_api_key is ignored (the key is read from
   * the Web Credential or rtm_settings); p_base_url, when given, replaces rtm_settings.base_url; p_payload must be
   * strict JSON.
   */
  procedure broadcast_item(
    p_api_key    in varchar2,
    p_base_url   in varchar2,
    p_channel    in varchar2,
    p_event_name in varchar2,
    p_payload    in clob);
end websocket_api;
/

create or replace package body websocket_api as
  procedure broadcast_item(
    p_api_key    in varchar2,
    p_base_url   in varchar2,
    p_channel    in varchar2,
    p_event_name in varchar2,
    p_payload    in clob)
  is
  begin
    rtm_api.broadcast(p_channel, p_event_name, nvl(p_payload, to_clob('{}')), trim(p_base_url));
  end broadcast_item;
end websocket_api;
/

set define on
set verify on
set feedback on
prompt rtm-kit: websocket_api installed
