set define off
set verify off
set feedback off
--------------------------------------------------------------------------------
-- Removes rtm-kit's database objects: rtm_plugin, rtm_api, the websocket_api
-- compatibility package when it is rtm-kit's, and rtm_settings (with the
-- settings stored in it). Re-runnable: what is already gone is skipped.
--
-- First delete the three plug-ins in each application (Shared Components >
-- Plug-ins) or import the original ones back (plugins/apex/UPGRADE.md,
-- "Roll back"): pages whose plug-ins call rtm_plugin fail once it is dropped.
-- The Web Credential, if you created one, is a workspace object: delete it in
-- Workspace Utilities > Web Credentials.
--
-- NOT RUN HERE: no Oracle database in this repository; see README.md.
--------------------------------------------------------------------------------

prompt rtm-kit: dropping rtm_plugin, rtm_api, websocket_api (rtm-kit's) and rtm_settings
declare
  procedure drop_if_exists(p_statement in varchar2) is
    e_missing_object exception;
    e_missing_table  exception;
    pragma exception_init(e_missing_object, -4043);
    pragma exception_init(e_missing_table, -942);
  begin
    execute immediate p_statement;
  exception
    when e_missing_object or e_missing_table then
      null;
  end drop_if_exists;
begin
  drop_if_exists('drop package rtm_plugin');
  -- The original plug-ins' websocket_api is left alone: only the one rtm_websocket_api.sql installed is dropped.
  for p in (select 1 from user_source where name = 'WEBSOCKET_API' and type = 'PACKAGE' and text like '%rtm-kit%' and rownum = 1) loop
    drop_if_exists('drop package websocket_api');
  end loop;
  drop_if_exists('drop package rtm_api');
  drop_if_exists('drop table rtm_settings purge');
end;
/

set define on
set verify on
set feedback on
prompt rtm-kit: uninstalled
